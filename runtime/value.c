/*
 * value.c - atomic.Value: one value of a fixed size, stored and loaded
 * atomically.
 *
 * A store copies the value into a new immutable block and swaps v->gocc__impl
 * to it; a load copies out of whatever block it finds. Reclamation: a loader
 * announces itself in `readers` (seq_cst) before it reads the pointer and
 * withdraws after copying. A store (stores are serialised by `lk`) swaps the
 * pointer, then frees the old block and every earlier retired one if it sees
 * no reader, else keeps them on `retired` for a later store. A reader that
 * announced itself after the swap can only see the new block, so nothing it
 * can hold is freed. Under a constant stream of readers, retired blocks wait
 * for a quiet moment (they are bounded by the number of stores meanwhile).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"

typedef struct block {
    struct block *next;   /* on the retired list */
    gocc_size size;
    _Alignas(16) unsigned char data[];
} block;

typedef struct value_s {
    gocc_lock lk;          /* serialises stores; guards retired */
    long readers;          /* loads in progress */
    block *retired;
} value_s;

_Static_assert(sizeof(value_s) <= sizeof(((atomic_value *)0)->gocc__state), "value_s fits");

static const gocc_site value_site = {.file = "<runtime sync/atomic>", .line = 0};

void atomic_value_store(atomic_value *v, const void *value, gocc_size size)
{
    value_s *s = (value_s *)(void *)v->gocc__state;
    block *b = malloc(sizeof(block) + size);
    if (!b)
        gocc_panic("sync/atomic: out of memory", &value_site);
    b->next = NULL;
    b->size = size;
    memcpy(b->data, value, size);
    gocc_lock_acquire(&s->lk);
    /* A store is an atomic exchange: for the race detector (as for Go's) it both acquires and releases
     * v. Both under lk, before the exchange: the release publishes our malloc and copy to whoever
     * loads the new block, and the acquire follows the previous store's release (stores are in lk
     * order), which orders our free of a block after the malloc of the store that made it. Outside lk
     * the acquire could precede that release, and TSan reported the free as racing the malloc. */
    GOCC_RACE_ACQUIRE(v);
    GOCC_RACE_RELEASE(v);
    block *old = __atomic_load_n((block **)&v->gocc__impl, __ATOMIC_RELAXED);
    if (old && old->size != size) {
        gocc_lock_release(&s->lk);
        free(b);
        gocc_panic("sync/atomic: store of inconsistently typed value into Value", &value_site);
    }
    (void)__atomic_exchange_n((block **)&v->gocc__impl, b, __ATOMIC_SEQ_CST);
    block *dead = NULL;
    if (old) {
        old->next = s->retired;
        s->retired = old;
        if (__atomic_load_n(&s->readers, __ATOMIC_SEQ_CST) == 0) {
            dead = s->retired;
            s->retired = NULL;
        }
    }
    gocc_lock_release(&s->lk);
    while (dead) {
        block *n = dead->next;
        free(dead);
        dead = n;
    }
}

_Bool atomic_value_load(atomic_value *v, void *out, gocc_size size)
{
    value_s *s = (value_s *)(void *)v->gocc__state;
    __atomic_fetch_add(&s->readers, 1, __ATOMIC_SEQ_CST);
    block *b = __atomic_load_n((block **)&v->gocc__impl, __ATOMIC_SEQ_CST);
    if (b) {
        /* Acquire before the copy, and copy with a loop TSan cannot see (chan.h): the block is the
         * runtime's, and a later store may free it once we are done (readers == 0). */
        GOCC_RACE_ACQUIRE(v);
        gocc_chan_rawcopy(out, b->data, size < b->size ? size : b->size);
    }
    __atomic_fetch_sub(&s->readers, 1, __ATOMIC_SEQ_CST);
    return b != NULL;
}

void atomic_value_must_load(atomic_value *v, void *out, gocc_size size, const char *type_name)
{
    if (!atomic_value_load(v, out, size)) {
        char msg[256];
        snprintf(msg, sizeof msg, "interface conversion: interface {} is nil, not %s", type_name);
        gocc_panic(msg, &value_site);
    }
}
