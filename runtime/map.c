/*
 * map.c - sync.Map: a concurrent hash map of pointer-sized keys (compared by
 * value) or C-string keys (_str: copied, compared by content).
 *
 * The table is split into NSTRIPE independent chained hash tables, chosen by
 * the top bits of the hash, each guarded by its own gocc_lock (short critical
 * sections only; never held while user code runs). The stripes are allocated
 * on first store and installed by CAS in m->gocc__impl; they live as long as
 * the program. A pointer key and a string key never match each other.
 * Range copies one stripe's entries (and string keys) under its lock, then
 * calls f on the copy with no lock held, so f may use the map freely; it sees
 * each entry present for the whole Range at most once, as Go's does.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chan.h"

enum { NSTRIPE = 32, STRIPE_SHIFT = 59 };

typedef struct entry {
    struct entry *next;
    uint64_t hash;
    const void *key;      /* pointer key, or kstr for a string key */
    void *value;
    _Bool is_str;
    char kstr[];
} entry;

typedef struct stripe {
    gocc_lock lk;         /* guards the rest of the stripe and its entries */
    size_t n, nb;         /* entries; buckets (0 or a power of two) */
    entry **b;
    char pad[24];         /* one stripe per cache line */
} stripe;

typedef struct map_impl {
    stripe s[NSTRIPE];
} map_impl;

static const gocc_site map_site = {.file = "<runtime sync.Map>", .line = 0};

/* A stripe's lock orders the goroutines that use the stripe for the race detector too: Go's sync.Map
 * is built of a mutex and atomics, all of which its race detector sees (so a store happens before the
 * load that finds it), and our entries are malloc'd by one goroutine and freed by another. */
static void stripe_lock(stripe *st)
{
    gocc_lock_acquire(&st->lk);
    GOCC_RACE_ACQUIRE(st);
}

static void stripe_unlock(stripe *st)
{
    GOCC_RACE_RELEASE(st);
    gocc_lock_release(&st->lk);
}

static uint64_t mix(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ULL;
    x ^= x >> 33;
    return x;
}

static uint64_t hash_ptr(const void *k) { return mix((uint64_t)(uintptr_t)k); }

static uint64_t hash_str(const char *k)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 0x100000001b3ULL;
    return mix(h);
}

static map_impl *impl(sync_map *m, int create)
{
    map_impl *t = __atomic_load_n((map_impl **)&m->gocc__impl, __ATOMIC_ACQUIRE);
    if (t || !create)
        return t;
    map_impl *n = calloc(1, sizeof *n);
    if (!n)
        gocc_panic("sync.Map: out of memory", &map_site);
    if (__atomic_compare_exchange_n((map_impl **)&m->gocc__impl, &t, n, 0, __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
        return n;
    free(n);
    return t;
}

/* st locked. The link that points at the entry for key, or at the NULL that
 * ends its bucket. st->nb > 0. */
static entry **find(stripe *st, uint64_t h, const void *key, _Bool is_str)
{
    entry **l = &st->b[h & (st->nb - 1)];
    for (; *l; l = &(*l)->next) {
        entry *e = *l;
        if (e->hash == h && e->is_str == is_str &&
            (is_str ? strcmp(e->kstr, key) == 0 : e->key == key))
            break;
    }
    return l;
}

/* st locked. Doubles the buckets when the load passes 2; false if out of memory. */
static _Bool grow(stripe *st)
{
    if (st->nb && st->n < st->nb * 2)
        return 1;
    size_t nb = st->nb ? st->nb * 2 : 8;
    entry **b = calloc(nb, sizeof *b);
    if (!b)
        return st->nb > 0;
    for (size_t i = 0; i < st->nb; i++) {
        for (entry *e = st->b[i], *next; e; e = next) {
            next = e->next;
            e->next = b[e->hash & (nb - 1)];
            b[e->hash & (nb - 1)] = e;
        }
    }
    free(st->b);
    st->b = b;
    st->nb = nb;
    return 1;
}

static entry *new_entry(uint64_t h, const void *key, _Bool is_str, void *value)
{
    size_t klen = is_str ? strlen(key) + 1 : 0;
    entry *e = malloc(sizeof *e + klen);
    if (!e)
        gocc_panic("sync.Map: out of memory", &map_site);
    e->next = NULL;
    e->hash = h;
    e->is_str = is_str;
    e->value = value;
    if (is_str) {
        memcpy(e->kstr, key, klen);
        e->key = e->kstr;
    } else {
        e->key = key;
    }
    return e;
}

enum { OP_LOAD, OP_STORE, OP_LOADORSTORE, OP_LOADANDDELETE };

/* The one operation all the entry points share. Returns the value found
 * (for LOADORSTORE: the existing value, or the one stored), *found tells
 * whether the key was present before. */
static void *op(sync_map *m, int kind, const void *key, _Bool is_str, void *value, _Bool *found)
{
    map_impl *t = impl(m, kind == OP_STORE || kind == OP_LOADORSTORE);
    *found = 0;
    if (!t)
        return NULL;
    uint64_t h = is_str ? hash_str(key) : hash_ptr(key);
    stripe *st = &t->s[h >> STRIPE_SHIFT];
    entry *fresh = NULL;
    if (kind == OP_STORE || kind == OP_LOADORSTORE)
        fresh = new_entry(h, key, is_str, value); /* allocate outside the lock */
    void *ret = NULL;
    stripe_lock(st);
    if (fresh && !grow(st)) {
        stripe_unlock(st);
        gocc_panic("sync.Map: out of memory", &map_site);
    }
    entry *dead = NULL;
    if (st->nb) {
        entry **l = find(st, h, key, is_str);
        entry *e = *l;
        if (e) {
            *found = 1;
            ret = e->value;
            if (kind == OP_STORE) {
                e->value = value;
            } else if (kind == OP_LOADANDDELETE) {
                *l = e->next;
                st->n--;
                dead = e;
            }
        } else if (fresh) {
            *l = fresh;
            st->n++;
            ret = value;
            fresh = NULL;
        }
    }
    stripe_unlock(st);
    free(fresh);
    free(dead);
    return ret;
}

void sync_map_store(sync_map *m, const void *key, void *value)
{
    _Bool f;
    op(m, OP_STORE, key, 0, value, &f);
}

void *sync_map_load(sync_map *m, const void *key, _Bool *ok)
{
    _Bool f;
    void *v = op(m, OP_LOAD, key, 0, NULL, &f);
    if (ok)
        *ok = f;
    return v;
}

void *sync_map_loadorstore(sync_map *m, const void *key, void *value, _Bool *loaded)
{
    _Bool f;
    void *v = op(m, OP_LOADORSTORE, key, 0, value, &f);
    if (loaded)
        *loaded = f;
    return v;
}

void *sync_map_loadanddelete(sync_map *m, const void *key, _Bool *loaded)
{
    _Bool f;
    void *v = op(m, OP_LOADANDDELETE, key, 0, NULL, &f);
    if (loaded)
        *loaded = f;
    return v;
}

void sync_map_delete(sync_map *m, const void *key)
{
    _Bool f;
    op(m, OP_LOADANDDELETE, key, 0, NULL, &f);
}

void sync_map_store_str(sync_map *m, const char *key, void *value)
{
    _Bool f;
    op(m, OP_STORE, key, 1, value, &f);
}

void *sync_map_load_str(sync_map *m, const char *key, _Bool *ok)
{
    _Bool f;
    void *v = op(m, OP_LOAD, key, 1, NULL, &f);
    if (ok)
        *ok = f;
    return v;
}

void sync_map_delete_str(sync_map *m, const char *key)
{
    _Bool f;
    op(m, OP_LOADANDDELETE, key, 1, NULL, &f);
}

typedef struct snap {
    const void *key;
    void *value;
} snap;

void sync_map_range(sync_map *m, _Bool (*f)(const void *key, void *value, void *arg), void *arg)
{
    map_impl *t = impl(m, 0);
    if (!t)
        return;
    for (int i = 0; i < NSTRIPE; i++) {
        stripe *st = &t->s[i];
        snap *v = NULL;
        size_t n = 0;
        for (;;) {
            /* Size the copy, allocate outside the lock, retry if it grew. */
            stripe_lock(st);
            size_t need = st->n * sizeof(snap), strbytes = 0;
            for (size_t j = 0; j < st->nb; j++)
                for (entry *e = st->b[j]; e; e = e->next)
                    if (e->is_str)
                        strbytes += strlen(e->kstr) + 1;
            stripe_unlock(st);
            free(v);
            v = malloc(need + strbytes + 1);
            if (!v)
                gocc_panic("sync.Map: out of memory", &map_site);
            stripe_lock(st);
            size_t need2 = st->n * sizeof(snap), str2 = 0;
            for (size_t j = 0; j < st->nb; j++)
                for (entry *e = st->b[j]; e; e = e->next)
                    if (e->is_str)
                        str2 += strlen(e->kstr) + 1;
            if (need2 > need || str2 > strbytes) {
                stripe_unlock(st);
                continue;
            }
            char *sp = (char *)v + need2;
            n = 0;
            for (size_t j = 0; j < st->nb; j++) {
                for (entry *e = st->b[j]; e; e = e->next) {
                    v[n].value = e->value;
                    if (e->is_str) {
                        size_t l = strlen(e->kstr) + 1;
                        memcpy(sp, e->kstr, l);
                        v[n].key = sp;
                        sp += l;
                    } else {
                        v[n].key = e->key;
                    }
                    n++;
                }
            }
            stripe_unlock(st);
            break;
        }
        for (size_t j = 0; j < n; j++) {
            if (!f(v[j].key, v[j].value, arg)) {
                free(v);
                return;
            }
        }
        free(v);
    }
}
