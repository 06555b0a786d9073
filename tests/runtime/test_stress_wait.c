/*
 * test_stress_wait.c - deadline waits under load: many goroutines send and
 * receive with deadlines on a few unbuffered channels, so wake-ups and
 * expiries collide all the time. Every value that a send reports as delivered
 * arrives exactly once, a timed-out send delivers nothing, and the payload
 * written before a send is read after the receive with no other
 * synchronisation (the runtime-race suite runs this against libgocc-race.a,
 * where ThreadSanitizer must stay silent). A double ready aborts, a lost
 * wake-up hangs (the runner's timeout).
 */
#include "test_chan_util.h"

#if GOCC_RACE
enum { PER = 300, PAIRS = 4 };
#else
enum { PER = 3000, PAIRS = 8 };
#endif
enum { NCH = 3 };

typedef struct payload {
    long id;
    long check; /* id * 3 + 1, written before the send */
} payload;

typedef struct wshared {
    chan_t *ch[NCH];
    chan_t *sdone;               /* each sender reports here when done */
    chan_t *stop;                /* closed when every sender is done */
    long delivered, received, bad, timeouts; /* atomics */
} wshared;

static void wsender(wshared **ps)
{
    wshared *s = *ps;
    for (long i = 0; i < PER; i++) {
        payload *p = malloc(sizeof *p);
        p->id = i;
        p->check = i * 3 + 1;
        gocc_int64 d = gocc_nanotime() + 5000 + (i % 9) * 7000;
        if (gocc_chan_send_deadline(s->ch[i % NCH], &p, d, GOCC_HERE)) {
            __atomic_add_fetch(&s->delivered, 1, __ATOMIC_RELAXED);
        } else {
            free(p); /* not delivered: still ours */
            __atomic_add_fetch(&s->timeouts, 1, __ATOMIC_RELAXED);
        }
    }
    SEND(s->sdone, int, 1);
}

static void wreceiver(wshared **ps)
{
    wshared *s = *ps;
    for (;;) {
        payload *p = NULL;
        _Bool ok;
        gocc_select_case sc[NCH + 1];
        for (int k = 0; k < NCH; k++)
            sc[k] = (gocc_select_case){s->ch[k], &p, 0};
        sc[NCH] = (gocc_select_case){s->stop, NULL, 0};
        int w = gocc_select_deadline(sc, NCH + 1, 0, &ok, gocc_nanotime() + 3000 + (gocc_nanotime() % 5) * 8000,
                                     GOCC_HERE);
        if (w == NCH)
            return; /* stop closed */
        if (w >= 0) {
            if (!p || p->check != p->id * 3 + 1)
                __atomic_add_fetch(&s->bad, 1, __ATOMIC_RELAXED);
            free(p);
            __atomic_add_fetch(&s->received, 1, __ATOMIC_RELAXED);
        }
    }
}

typedef struct rarg { wshared *s; chan_t *fin; } rarg;

static void wreceiver_fin(rarg *a)
{
    wshared *s = a->s;
    wreceiver(&s);
    SEND(a->fin, int, 1);
}

GOCC_TEST(stress_deadline_waits)
{
    static wshared s;
    memset(&s, 0, sizeof s);
    for (int k = 0; k < NCH; k++)
        s.ch[k] = MKCHAN(payload *, 0);
    s.sdone = MKCHAN(int, PAIRS);
    s.stop = MKCHAN(int, 0);
    chan_t *fin = MKCHAN(int, PAIRS);
    wshared *ps = &s;
    for (int i = 0; i < PAIRS; i++) {
        GO(wsender, ps);
        rarg a = {&s, fin};
        GO(wreceiver_fin, a);
    }
    for (int i = 0; i < PAIRS; i++)
        (void)RECV(s.sdone, int);
    /* Every sender is done: whatever was delivered has been received. Tell the receivers to stop. */
    gocc_chan_close(s.stop, GOCC_HERE);
    for (int i = 0; i < PAIRS; i++)
        (void)RECV(fin, int);
    CU_ASSERT_EQUAL(__atomic_load_n(&s.bad, __ATOMIC_RELAXED), 0);
    CU_ASSERT_EQUAL(s.delivered, s.received);
    CU_ASSERT_EQUAL(s.delivered + s.timeouts, (long)PER * PAIRS);
}
