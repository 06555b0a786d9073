/* test_gqueue.c - the global run queue's storage (runtime/gqueue.h). */
#include <stdint.h>
#include <stdlib.h>

#include "gtest.h"
#include "gqueue.h"

/* A queue of the test's own, holding made-up pointers (it must never read a g record): FIFO order while
 * it grows to 20,000 (158 blocks) and drains, three times, with puts and pops interleaved so that both
 * ends cross block boundaries at every offset; its emptiness as a count says; once drained, one block in
 * use and GOCC_GQ_SPARE kept, the others freed. */
GOCC_TEST(sched_global_queue_fifo_across_growth)
{
    gocc_gqueue q = {0};
    uintptr_t in = 1, out = 1;
    long len = 0, misordered = 0, wrongempty = 0;
    unsigned r = 12345;
    for (int round = 0; round < 3; round++) {
        for (int grow = 1; grow >= 0; grow--) {
            while (grow ? len < 20000 : len > 0) {
                r = r * 1103515245u + 12345u;
                int put = grow ? (r >> 16) % 4 != 0 : (r >> 16) % 4 == 0;
                if (put) {
                    gocc_gqueue_put(&q, (gocc_g *)(in++ * 16));
                    len++;
                } else if (len) {
                    misordered += gocc_gqueue_pop(&q) != (gocc_g *)(out++ * 16);
                    len--;
                }
                wrongempty += gocc_gqueue_empty(&q) != (len == 0);
            }
        }
        CU_ASSERT(q.head == q.tail);
        CU_ASSERT_EQUAL(q.nspare, GOCC_GQ_SPARE);
    }
    CU_ASSERT_EQUAL(misordered, 0);
    CU_ASSERT_EQUAL(wrongempty, 0);
    CU_ASSERT(in > 100000);
    for (int i = 0; i < 300; i++) /* an empty queue starts over in its one block */
        gocc_gqueue_put(&q, (gocc_g *)(in++ * 16));
    for (int i = 0; i < 300; i++)
        misordered += gocc_gqueue_pop(&q) != (gocc_g *)(out++ * 16);
    CU_ASSERT_EQUAL(misordered, 0);
    CU_ASSERT(gocc_gqueue_empty(&q));
    while (q.spare) {
        gocc_gqblock *b = q.spare;
        q.spare = b->next;
        free(b);
    }
    free(q.head);
}
