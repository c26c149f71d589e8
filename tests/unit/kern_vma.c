/* kern_vma.c: unit tests of the VMA AVL tree (guest/kernel/vma.c) against a brute-force model. */
#include "kern_test.h"
#include "vma.h"

#define SLOTS 512 /* the model: page-sized slots starting at BASE, each owned by a VMA id or 0 */
#define BASE 0x10000000ull

static uint64_t rng = 88172645463325252ull;
static uint64_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static uint64_t slot_addr(int i)
{
    return BASE + (uint64_t)i * PAGE_SIZE;
}

/* The model's answer for vma_find: the [start, end) run of equal owners containing slot i. */
static bool model_find(const uint32_t *own, int i, uint64_t *s, uint64_t *e)
{
    if (!own[i])
        return false;
    int a = i, b = i;
    while (a > 0 && own[a - 1] == own[i])
        a--;
    while (b < SLOTS - 1 && own[b + 1] == own[i])
        b++;
    *s = slot_addr(a);
    *e = slot_addr(b + 1);
    return true;
}

static bool compare_with_model(struct vma_tree *t, const uint32_t *own)
{
    for (int i = 0; i < SLOTS; i++) {
        uint64_t s, e;
        struct vma *v = vma_find(t, slot_addr(i) + 123);
        bool m = model_find(own, i, &s, &e);
        if (m != (v != NULL) || (v && (v->start != s || v->end != e)))
            return false;
    }
    return true;
}

static void test_random_ops(void)
{
    static uint32_t own[SLOTS];
    struct vma_tree t = {0};
    bool ok = true;
    uint32_t next_id = 1;
    for (int round = 0; round < 4000 && ok; round++) {
        int a = (int)(rnd() % SLOTS), n = 1 + (int)(rnd() % 8), b = MIN(a + n, SLOTS);
        bool free = true;
        for (int i = a; i < b; i++)
            free &= own[i] == 0;
        if (rnd() % 3) {
            struct vma *v = vma_insert(&t, slot_addr(a), slot_addr(b), 3, 0);
            ok &= (v != NULL) == free;
            for (int i = a; v && i < b; i++)
                own[i] = next_id;
            next_id++;
        } else {
            struct vma *v = vma_find(&t, slot_addr(a));
            if (v) {
                uint32_t id = own[a];
                for (int i = 0; i < SLOTS; i++)
                    if (own[i] == id && slot_addr(i) >= v->start && slot_addr(i) < v->end)
                        own[i] = 0;
                vma_remove(&t, v);
            }
        }
        vma_check(&t);
        ok &= compare_with_model(&t, own);
    }
    EXPECT("kern_vma_random_insert_remove", ok, "tree disagrees with the model (round state lost)");
}

static void test_split_merge(void)
{
    struct vma_tree t = {0};
    struct vma *v = vma_insert(&t, 0x100000, 0x110000, 3, VMA_ANON);
    struct vma *hi = vma_split(&t, v, 0x104000);
    vma_check(&t);
    bool split_ok = hi && v->end == 0x104000 && hi->start == 0x104000 && hi->end == 0x110000 && t.count == 2;
    EXPECT("kern_vma_split", split_ok, "split gave [%#lx,%#lx) + [%#lx,%#lx)", (unsigned long)v->start,
           (unsigned long)v->end, hi ? (unsigned long)hi->start : 0ul, hi ? (unsigned long)hi->end : 0ul);
    hi->prot = 1;
    struct vma *m = vma_merge(&t, hi);
    EXPECT("kern_vma_no_merge_different_prot", t.count == 2 && m == hi, "count %u", t.count);
    hi->prot = 3;
    m = vma_merge(&t, hi);
    vma_check(&t);
    EXPECT("kern_vma_merge", t.count == 1 && m->start == 0x100000 && m->end == 0x110000,
           "count %u [%#lx,%#lx)", t.count, (unsigned long)m->start, (unsigned long)m->end);
    struct vma *s = vma_insert(&t, 0x110000, 0x120000, 3, VMA_ANON | VMA_STACK);
    vma_merge(&t, s);
    EXPECT("kern_vma_stack_stays_separate", t.count == 2, "count %u", t.count);
}

/* A shared file mapping's pieces keep their window file and offset; only the same file at the
 * following offset joins. */
static void test_file_window_vmas(void)
{
    struct vma_tree t = {0};
    struct fw_file *f1 = (struct fw_file *)0x1000, *f2 = (struct fw_file *)0x2000;
    struct vma *v = vma_insert(&t, 0x400000, 0x408000, 3, VMA_SHARED);
    v->fw = f1, v->pgoff = 0x10000;
    struct vma *hi = vma_split(&t, v, 0x403000);
    EXPECT("kern_vma_split_keeps_window_file", hi && hi->fw == f1 && hi->pgoff == 0x13000, "fw %p pgoff %#lx",
           hi ? (void *)hi->fw : NULL, hi ? (unsigned long)hi->pgoff : 0ul);
    struct vma *w = vma_insert(&t, 0x408000, 0x409000, 3, VMA_SHARED);
    w->fw = f2, w->pgoff = 0x18000;
    vma_merge(&t, w);
    EXPECT("kern_vma_no_merge_other_window_file", t.count == 3, "count %u", t.count);
    w->fw = f1, w->pgoff = 0x20000;
    vma_merge(&t, w);
    EXPECT("kern_vma_no_merge_window_offset_gap", t.count == 3, "count %u", t.count);
    w->pgoff = 0x18000;
    struct vma *m = vma_merge(&t, hi);
    vma_check(&t);
    bool merged = t.count == 1 && m->start == 0x400000 && m->end == 0x409000 && m->fw == f1;
    EXPECT("kern_vma_merge_window_file", merged, "count %u [%#lx,%#lx)", t.count, (unsigned long)m->start,
           (unsigned long)m->end);
}

/* A private file VMA's references on its host fd: one per piece, as pieces are split off, merged
 * and removed; only pieces of the same fd join. */
static void test_private_file_refs(void)
{
    struct vma_tree t = {0};
    struct vma *v = vma_insert(&t, 0x500000, 0x508000, 3, VMA_ANON | VMA_PRIVATE_FILE);
    v->file_host = 5, v->pgoff = 0;
    vma_file_ref(5, 1); /* as mm_map_private_file takes it */
    struct vma *hi = vma_split(&t, v, 0x504000);
    EXPECT("kern_vma_split_refs_file", hi && hi->file_host == 5 && vma_file_refs[5] == 2, "refs %d",
           vma_file_refs[5]);
    struct vma *w = vma_insert(&t, 0x508000, 0x509000, 3, VMA_ANON | VMA_PRIVATE_FILE);
    w->file_host = 6, w->pgoff = 0x8000;
    vma_file_ref(6, 1);
    vma_merge(&t, w);
    EXPECT("kern_vma_no_merge_other_file_host", t.count == 3, "count %u", t.count);
    vma_merge(&t, hi);
    EXPECT("kern_vma_merge_drops_a_ref", t.count == 2 && vma_file_refs[5] == 1, "count %u refs %d", t.count,
           vma_file_refs[5]);
    vma_remove(&t, vma_find(&t, 0x500000));
    vma_remove(&t, vma_find(&t, 0x508000));
    EXPECT("kern_vma_remove_drops_refs", vma_file_refs[5] == 0 && vma_file_refs[6] == 0 && t.count == 0,
           "refs %d %d", vma_file_refs[5], vma_file_refs[6]);
}

static void test_gap(void)
{
    struct vma_tree t = {0};
    uint64_t top = 0x7ffff7fff000ull, len = 0x10000;
    uint64_t g1 = vma_find_gap(&t, len, USER_MIN, top);
    EXPECT("kern_vma_gap_empty_tree", g1 == top - len, "got %#lx", (unsigned long)g1);
    vma_insert(&t, g1, g1 + len, 3, 0);
    vma_insert(&t, g1 - 0x3000, g1 - 0x1000, 3, 0); /* leaves a 0x1000 hole below g1 */
    uint64_t g2 = vma_find_gap(&t, 0x1000, USER_MIN, top);
    EXPECT("kern_vma_gap_fits_hole", g2 == g1 - 0x1000, "got %#lx want %#lx", (unsigned long)g2,
           (unsigned long)(g1 - 0x1000));
    uint64_t g3 = vma_find_gap(&t, 0x2000, USER_MIN, top);
    EXPECT("kern_vma_gap_skips_small_hole", g3 == g1 - 0x5000, "got %#lx", (unsigned long)g3);
    uint64_t g4 = vma_find_gap(&t, 0x1000, USER_MIN, VMA_META_END + 0x1000);
    EXPECT("kern_vma_gap_not_in_reserved", g4 == VMA_META_END, "got %#lx", (unsigned long)g4);
    uint64_t g5 = vma_find_gap(&t, 0x2000, USER_MIN, VMA_META_END + 0x1000);
    EXPECT("kern_vma_gap_below_reserved", g5 == VMA_ALIAS_BASE - 0x2000, "got %#lx", (unsigned long)g5);
    uint64_t g6 = vma_find_gap(&t, 0x20000, USER_MIN, USER_MIN + 0x10000);
    EXPECT("kern_vma_gap_none", g6 == 0, "got %#lx", (unsigned long)g6);
    EXPECT("kern_vma_reserved_ranges",
           vma_range_reserved(VMA_ALIAS_BASE, VMA_ALIAS_BASE + 1) &&
               vma_range_reserved(VMA_META_END - 1, VMA_META_END) && !vma_range_reserved(0, VMA_ALIAS_BASE) &&
               !vma_range_reserved(VMA_META_END, USER_TOP),
           "reserved check wrong");
}

static void test_neighbours(void)
{
    struct vma_tree t = {0};
    vma_insert(&t, 0x200000, 0x201000, 3, 0);
    vma_insert(&t, 0x300000, 0x301000, 3, 0);
    struct vma *n = vma_next_from(&t, 0x201000), *p = vma_prev_before(&t, 0x300000);
    EXPECT("kern_vma_next_prev", n && n->start == 0x300000 && p && p->start == 0x200000, "wrong neighbours");
    EXPECT("kern_vma_overlap_rejected", vma_insert(&t, 0x200800 & ~0xfffull, 0x202000, 3, 0) == NULL,
           "overlapping insert accepted");
    EXPECT("kern_vma_range_free",
           vma_range_free(&t, 0x201000, 0x300000) && !vma_range_free(&t, 0x201000, 0x300001),
           "range_free wrong");
}

int main(void)
{
    test_random_ops();
    test_split_merge();
    test_file_window_vmas();
    test_private_file_refs();
    test_gap();
    test_neighbours();
    return test_failed != 0;
}
