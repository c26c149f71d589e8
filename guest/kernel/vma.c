/* vma.c: virtual memory areas of the user address space, kept in an AVL tree ordered by address. */
#include "vma.h"

#include "string.h"

/* Nodes come from a fixed pool (the kernel has no general-purpose heap), sized like Linux's default
 * vm.max_map_count so programs meet the same limit. */
#define VMA_POOL 65536
static struct vma pool[VMA_POOL];
static struct vma *free_nodes;
static uint32_t pool_used;

static struct vma *node_alloc(void)
{
    struct vma *v = free_nodes;
    if (v) {
        free_nodes = v->left;
        return v;
    }
    return pool_used < VMA_POOL ? &pool[pool_used++] : NULL;
}

static void node_free(struct vma *v)
{
    v->left = free_nodes;
    free_nodes = v;
}

static int height(struct vma *n)
{
    return n ? n->height : 0;
}

static void fix_height(struct vma *n)
{
    n->height = 1 + MAX(height(n->left), height(n->right));
}

static struct vma *rotate_right(struct vma *n)
{
    struct vma *l = n->left;
    n->left = l->right;
    l->right = n;
    fix_height(n);
    fix_height(l);
    return l;
}

static struct vma *rotate_left(struct vma *n)
{
    struct vma *r = n->right;
    n->right = r->left;
    r->left = n;
    fix_height(n);
    fix_height(r);
    return r;
}

static struct vma *rebalance(struct vma *n)
{
    fix_height(n);
    int bal = height(n->left) - height(n->right);
    if (bal > 1) {
        if (height(n->left->left) < height(n->left->right))
            n->left = rotate_left(n->left);
        return rotate_right(n);
    }
    if (bal < -1) {
        if (height(n->right->right) < height(n->right->left))
            n->right = rotate_right(n->right);
        return rotate_left(n);
    }
    return n;
}

static struct vma *insert_node(struct vma *root, struct vma *v)
{
    if (!root)
        return v;
    if (v->start < root->start)
        root->left = insert_node(root->left, v);
    else
        root->right = insert_node(root->right, v);
    return rebalance(root);
}

/* Unlinks the minimum of the subtree into *min. */
static struct vma *remove_min(struct vma *n, struct vma **min)
{
    if (!n->left) {
        *min = n;
        return n->right;
    }
    n->left = remove_min(n->left, min);
    return rebalance(n);
}

static struct vma *remove_node(struct vma *root, struct vma *v)
{
    if (!root)
        panic("vma: removing [%#lx, %#lx) not in the tree", (unsigned long)v->start, (unsigned long)v->end);
    if (v->start < root->start) {
        root->left = remove_node(root->left, v);
    } else if (v->start > root->start) {
        root->right = remove_node(root->right, v);
    } else {
        struct vma *l = root->left, *r = root->right, *min;
        if (!r)
            return l;
        r = remove_min(r, &min);
        min->left = l;
        min->right = r;
        return rebalance(min);
    }
    return rebalance(root);
}

struct vma *vma_find(struct vma_tree *t, uint64_t addr)
{
    for (unsigned k = 0; k < VMA_HINTS; k++)
        if (t->hint[k] && t->hint[k]->start <= addr && addr < t->hint[k]->end)
            return t->hint[k];
    struct vma *v = vma_next_from(t, addr);
    if (!v || v->start > addr)
        return NULL;
    t->hint[t->hint_next++ % VMA_HINTS] = v;
    return v;
}

struct vma *vma_next_from(struct vma_tree *t, uint64_t addr)
{
    struct vma *n = t->root, *best = NULL;
    while (n) {
        if (n->end > addr) {
            best = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return best;
}

struct vma *vma_prev_before(struct vma_tree *t, uint64_t addr)
{
    struct vma *n = t->root, *best = NULL;
    while (n) {
        if (n->start < addr) {
            best = n;
            n = n->right;
        } else {
            n = n->left;
        }
    }
    return best;
}

bool vma_range_free(struct vma_tree *t, uint64_t start, uint64_t end)
{
    struct vma *v = vma_next_from(t, start);
    return !v || v->start >= end;
}

uint64_t vma_generation;

struct vma *vma_insert(struct vma_tree *t, uint64_t start, uint64_t end, uint32_t prot, uint32_t flags)
{
    kassert(start < end && PAGE_ALIGNED(start) && PAGE_ALIGNED(end));
    if (!vma_range_free(t, start, end))
        return NULL;
    struct vma *v = node_alloc();
    if (!v)
        return NULL;
    *v = (struct vma){.start = start, .end = end, .prot = prot, .flags = flags, .height = 1};
    t->root = insert_node(t->root, v);
    t->count++;
    vma_changed();
    return v;
}

void vma_remove(struct vma_tree *t, struct vma *v)
{
    if (v->flags & VMA_PRIVATE_FILE)
        vma_file_ref(v->file_host, -1);
    t->root = remove_node(t->root, v);
    t->count--;
    node_free(v);
    memset(t->hint, 0, sizeof(t->hint));
    vma_changed();
}

struct vma *vma_split(struct vma_tree *t, struct vma *v, uint64_t addr)
{
    kassert(v->start < addr && addr < v->end && PAGE_ALIGNED(addr));
    uint64_t old_end = v->end;
    /* Shrinking v keeps the tree order (keys are starts); the upper half goes in as a new node. */
    v->end = addr;
    vma_changed();
    struct vma *hi = vma_insert(t, addr, old_end, v->prot, v->flags);
    if (!hi) {
        v->end = old_end;
        return NULL;
    }
    hi->file = v->file;
    hi->fw = v->fw;
    if (v->flags & VMA_PRIVATE_FILE)
        vma_file_ref(hi->file_host = v->file_host, 1);
    hi->pgoff = v->file || v->fw ? v->pgoff + (addr - v->start) : 0;
    return hi;
}

static bool mergeable(const struct vma *a, const struct vma *b)
{
    /* The stack keeps its own node so its growth stays tied to it. */
    if (a->file != b->file || a->fw != b->fw || ((a->flags & VMA_PRIVATE_FILE) && a->file_host != b->file_host))
        return false;
    if ((a->file || a->fw) && a->pgoff + (a->end - a->start) != b->pgoff)
        return false; /* a file mapping only joins its own next page */
    return a->end == b->start && a->prot == b->prot && a->flags == b->flags && !(a->flags & VMA_STACK);
}

struct vma *vma_merge(struct vma_tree *t, struct vma *v)
{
    struct vma *prev = v->start ? vma_find(t, v->start - 1) : NULL;
    if (prev && mergeable(prev, v)) {
        uint64_t end = v->end;
        vma_remove(t, v);
        prev->end = end;
        vma_changed();
        v = prev;
    }
    struct vma *next = vma_find(t, v->end);
    if (next && mergeable(v, next)) {
        uint64_t end = next->end;
        vma_remove(t, next);
        v->end = end;
        vma_changed();
    }
    return v;
}

bool vma_range_reserved(uint64_t start, uint64_t end)
{
    /* The two reserved ranges are adjacent, so one interval covers both. */
    return start < VMA_META_END && end > VMA_ALIAS_BASE;
}

uint64_t vma_find_gap(struct vma_tree *t, uint64_t len, uint64_t bottom, uint64_t top)
{
    uint64_t cand = top;
    while (cand >= bottom + len && cand - len >= bottom) {
        uint64_t lo = cand - len;
        if (vma_range_reserved(lo, cand)) {
            cand = VMA_ALIAS_BASE;
            continue;
        }
        struct vma *v = vma_prev_before(t, cand);
        if (!v || v->end <= lo)
            return lo;
        cand = v->start;
    }
    return 0;
}

static void check_node(struct vma *n, uint64_t lo, uint64_t hi, int *h)
{
    int hl, hr;
    if (!n) {
        *h = 0;
        return;
    }
    if (n->start >= n->end || n->start < lo || n->end > hi)
        panic("vma: node [%#lx, %#lx) out of order", (unsigned long)n->start, (unsigned long)n->end);
    check_node(n->left, lo, n->start, &hl);
    check_node(n->right, n->end, hi, &hr);
    if (hl - hr > 1 || hr - hl > 1 || n->height != 1 + MAX(hl, hr))
        panic("vma: AVL balance broken at %#lx", (unsigned long)n->start);
    *h = n->height;
}

void vma_check(struct vma_tree *t)
{
    int h;
    check_node(t->root, 0, UINT64_MAX, &h);
}
