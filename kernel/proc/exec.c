/* kernel/proc/exec.c: loading a program from the file tree (see exec.h). */
#include "kernel/proc/exec.h"
#include "arch/x86_64/cpu.h"
#include "arch/x86_64/fpu.h"
#include "arch/x86_64/gdt.h"
#include "arch/x86_64/percpu.h"
#include "arch/x86_64/sigframe.h"
#include "kernel/errno.h"
#include "kernel/fs/file.h"
#include "kernel/fs/inode.h"
#include "kernel/fs/mount.h"
#include "kernel/fs/path.h"
#include "kernel/fs/procfs.h"
#include "kernel/lib/elf.h"
#include "kernel/printk.h"
#include "kernel/proc/process.h"
#include "kernel/proc/sched.h"
#include "kernel/proc/signal.h"
#include "kernel/random.h"
#include "kernel/uaccess.h"
#include "mm/frame.h"
#include "mm/phys.h"
#include "mm/kmalloc.h"
#include "mm/vm.h"
#include <string.h>

#define STACK_SIZE (8ull << 20)
enum {
    MAX_STRINGS = PAGE_SIZE / 8 - 64,   /* argv and envp together; the rest is auxv */
    MAX_STRING_BYTES = 128 << 10,       /* all strings together */
    AT_NULL = 0, AT_PHDR = 3, AT_PHENT = 4, AT_PHNUM = 5, AT_PAGESZ = 6, AT_ENTRY = 9, AT_RANDOM = 25, AT_MINSIGSTKSZ = 51,
};

static unsigned segment_prot(uint32_t flags)
{
    return (flags & ELF_SEGMENT_R ? VM_READ : 0) | (flags & ELF_SEGMENT_W ? VM_WRITE : 0)
         | (flags & ELF_SEGMENT_X ? VM_EXEC : 0);
}

struct file_pages {
    struct inode *file;
    uint64_t first;                 /* the page index of the run's first page */
};

/* vm_share_pages's frame_of for a run of a file's pages: the frame of its page i, 0 in a hole.
 * fs_lock held. */
static uint64_t file_frame(void *ctx, size_t i)
{
    const struct file_pages *run = ctx;
    int absent;
    const uint8_t *page = ramfs_page(run->file, run->first + i, false, &absent);
    return page ? virt_to_phys(page) : 0;
}

/* Copy n bytes of the program file from offset (within one page of it) to va. fs_lock held. */
static int copy_file_bytes(struct vm *vm, uint64_t va, struct inode *file, uint64_t offset, uint64_t n)
{
    int absent;
    const uint8_t *page = ramfs_page(file, offset / PAGE_SIZE, false, &absent);
    return page ? vm_copy_in(vm, va, page + offset % PAGE_SIZE, n) : 0;
}

/* Put len bytes of the program file from offset at va in vm, under fs_lock: the file's whole
 * pages are mapped themselves, shared with the file (as Linux maps a program's page cache),
 * RUN_PAGES at a time in one walk of the page tables; the bytes of a page that holds only
 * part of it are copied. A hole in the file is left alone: the new mapping reads zeros there
 * already. */
static int copy_program_in(struct vm *vm, uint64_t va, struct inode *file, uint64_t offset, uint64_t len)
{
    enum { RUN_PAGES = 64 };                /* a bound on fs_lock's hold, interrupts off */
    for (uint64_t done = 0; done < len;) {
        uint64_t at = offset + done;
        uint64_t n = PAGE_SIZE - at % PAGE_SIZE < len - done ? PAGE_SIZE - at % PAGE_SIZE : len - done;
        int error = 0;
        uint64_t flags = spin_lock(&fs_lock);
        if (n == PAGE_SIZE && (va + done) % PAGE_SIZE == 0) {
            struct file_pages run = { file, at / PAGE_SIZE };
            uint64_t whole = (len - done) / PAGE_SIZE, pages = whole < RUN_PAGES ? whole : RUN_PAGES;
            n = PAGE_SIZE * vm_share_pages(vm, va + done, pages, file_frame, &run, &error);
            if (error == -EEXIST) {         /* the segment before put its last page there */
                error = copy_file_bytes(vm, va + done + n, file, at + n, PAGE_SIZE);
                n += PAGE_SIZE;
            }
        } else {
            error = copy_file_bytes(vm, va + done, file, at, n);
        }
        spin_unlock(&fs_lock, flags);
        if (error)
            return error;
        done += n;
    }
    return 0;
}

/* Map and fill every segment of program into vm. Two segments may share a page (elf.h):
 * that page takes both segments' permissions (never W and X: elf_parse refuses that). */
static int load_segments(struct vm *vm, const struct elf_program *program, struct inode *file)
{
    uint64_t mapped_end = 0;
    for (size_t i = 0; i < program->segment_count; i++) {
        const struct elf_segment *s = &program->segments[i];
        unsigned prot = segment_prot(s->flags);
        uint64_t start = page_down(s->vaddr), end = page_up(s->vaddr + s->memsz);
        int error = 0;
        if (start < mapped_end) {           /* the first page is the previous segment's last */
            error = vm_protect(vm, start, PAGE_SIZE, prot | segment_prot(program->segments[i - 1].flags));
            start += PAGE_SIZE;
        }
        if (!error && start < end)
            error = vm_map(vm, start, end - start, prot);
        if (!error)
            error = copy_program_in(vm, s->vaddr, file, s->offset, s->filesz);
        if (error)
            return error;
        mapped_end = end;
        if (s->vaddr + s->memsz > vm->brk_start)
            vm->brk_start = vm->brk = s->vaddr + s->memsz;
    }
    return 0;
}

struct stack_builder {
    struct vm *vm;
    uint64_t sp;
    char *buf;                      /* a page of scratch space */
};

/* Make room for len bytes just below the stack pointer. */
static int reserve(struct stack_builder *b, size_t len)
{
    if (len > b->sp - (USER_STACK_TOP - MAX_STRING_BYTES))
        return -E2BIG;
    b->sp -= len;
    return 0;
}

/* Copy len bytes of kernel memory just below the stack pointer. */
static int push(struct stack_builder *b, const void *data, size_t len)
{
    int error = reserve(b, len);
    return error ? error : vm_copy_in(b->vm, b->sp, data, len);
}

/* Copy the user string at s (NUL included) just below the stack pointer, a page at a time:
 * first to learn its length, then to move it. */
static int push_user_string(struct stack_builder *b, uint64_t s)
{
    size_t len = 0;
    for (;;) {
        long n = copy_string_from_user(b->buf, s + len, PAGE_SIZE);
        if (n >= 0) {
            len += (size_t)n;
            break;
        }
        if (n != -ENAMETOOLONG)
            return (int)n;
        len += PAGE_SIZE;
        if (len > MAX_STRING_BYTES)
            return -E2BIG;
    }
    int error = reserve(b, len + 1);
    for (size_t done = 0; !error && done <= len; done += PAGE_SIZE) {
        size_t n = len + 1 - done < PAGE_SIZE ? len + 1 - done : PAGE_SIZE;
        error = copy_from_user(b->buf, s + done, n);
        if (!error)
            error = vm_copy_in(b->vm, b->sp + done, b->buf, n);
    }
    return error;
}

/* How many strings a NULL-ended user array holds (0 for a NULL array). As Linux's count(),
 * it reads the whole array, a page at a time through scratch (a page), before any limit
 * applies: an array that runs into memory that cannot be read is -EFAULT however long it is. */
static long count_user_strings(uint64_t user_array, uint64_t *scratch)
{
    if (!user_array)
        return 0;
    for (uint64_t at = user_array;;) {
        size_t words = (PAGE_SIZE - at % PAGE_SIZE) / 8;
        words = words ? words : 1;          /* a misaligned array: one word across the page end */
        if (copy_from_user(scratch, at, words * 8))
            return -EFAULT;
        for (size_t i = 0; i < words; i++)
            if (!scratch[i])
                return (long)((at - user_array) / 8 + i);
        at += words * 8;
    }
}

/* Push the count strings of an array (user_array's, or else kernel_array's), the last first,
 * so that they lie in order from the first up, as Linux lays them out (/proc/PID/cmdline reads
 * them so), and record their user addresses in pointers[0...count - 1], then a NULL. A user
 * array that no longer holds count strings is -EFAULT. */
static int push_strings(struct stack_builder *b, uint64_t user_array, const char *const *kernel_array,
                        size_t count, uint64_t *pointers)
{
    for (size_t i = count; i-- > 0;) {
        uint64_t user_string = 0;
        if (user_array && (copy_from_user(&user_string, user_array + 8 * i, sizeof user_string) || !user_string))
            return -EFAULT;
        int error = user_array ? push_user_string(b, user_string)
                               : push(b, kernel_array[i], strlen(kernel_array[i]) + 1);
        if (error)
            return error;
        pointers[i] = b->sp;
    }
    pointers[count] = 0;
    return 0;
}

/* The System V initial stack, from the top down: the environment's strings, the arguments'
 * (*arguments: where they lie), AT_RANDOM's bytes, then (16-byte aligned) argc, argv[], NULL,
 * envp[], NULL, auxv pairs, AT_NULL. Returns the new RSP. */
static long build_stack(struct vm *vm, const struct exec_args *args, const struct elf_program *program,
                        struct arg_area *arguments)
{
    uint64_t scratch_frame = frame_alloc(), table_frame = frame_alloc();
    long result = -ENOMEM;
    if (!scratch_frame || !table_frame)
        goto out;
    uint64_t *table = phys_to_virt(table_frame);     /* argc, argv..., envp..., auxv... */
    struct stack_builder b = { vm, USER_STACK_TOP, phys_to_virt(scratch_frame) };
    long argc_seen = count_user_strings(args->argv, (uint64_t *)b.buf);
    long envc_seen = count_user_strings(args->envp, (uint64_t *)b.buf);
    result = argc_seen < 0 ? argc_seen : envc_seen < 0 ? envc_seen
           : argc_seen + envc_seen > MAX_STRINGS ? -E2BIG : 0;
    if (result)
        goto out;
    size_t argc = (size_t)argc_seen;
    while (!args->argv && args->kernel_argv && args->kernel_argv[argc])
        argc++;
    size_t n = 1 + argc + 1 + (size_t)envc_seen + 1;            /* argc, argv, NULL, envp, NULL */
    result = push_strings(&b, args->envp, NULL, (size_t)envc_seen, table + 1 + argc + 1);
    arguments->end = b.sp;
    if (!result)
        result = push_strings(&b, args->argv, args->kernel_argv, argc, table + 1);
    arguments->start = b.sp;
    uint64_t random[2];
    random_get(random, sizeof random);      /* musl seeds its stack protector from them */
    if (!result)
        result = push(&b, random, sizeof random);
    if (result)
        goto out;
    uint64_t random_at = b.sp;
    table[0] = argc;
    const uint64_t aux[][2] = {
        { AT_PHDR, program->phdr }, { AT_PHENT, program->phentsize }, { AT_PHNUM, program->phnum },
        { AT_PAGESZ, PAGE_SIZE }, { AT_ENTRY, program->entry }, { AT_RANDOM, random_at },
        { AT_MINSIGSTKSZ, sigframe_max_size() }, { AT_NULL, 0 },
    };
    memcpy(table + n, aux, sizeof aux);
    n += sizeof aux / sizeof(uint64_t);
    b.sp = (b.sp - n * 8) & ~15ull;
    b.sp += n * 8;                      /* push() subtracts it again: argc lands 16-aligned */
    result = push(&b, table, n * 8);
    if (!result)
        result = (long)b.sp;
out:
    if (scratch_frame)
        frame_free(scratch_frame);
    if (table_frame)
        frame_free(table_frame);
    return result;
}

static const char *basename(const char *path)
{
    const char *name = path;
    for (const char *p = path; *p; p++)
        if (*p == '/')
            name = p + 1;
    return name;
}

/* The program path names for p: a reference to its node, which must be a regular file
 * that may be executed (-EACCES otherwise). */
static int find_program(const struct process *p, const char *path, struct inode **out)
{
    uint64_t flags = spin_lock(&fs_lock);
    struct lookup_context ctx = { fs_root(), p->leader->cwd, 0, 0, p->tgid };   /* everyone is root */
    struct inode *node;
    int error = path_lookup(&ctx, path, true, &node);
    if (!error && (!S_IS_TYPE(node->mode, S_IFREG) || !inode_permitted(node, 0, 0, MAY_EXEC)))
        error = -EACCES;
    if (!error)
        inode_get(*out = node);
    spin_unlock(&fs_lock, flags);
    return error;
}

/* Let go of the program find_program found. */
static void put_program(struct inode *file)
{
    uint64_t flags = spin_lock(&fs_lock);
    inode_put(file);
    spin_unlock(&fs_lock, flags);
}

/* Check the program in file (its first page copied to head) and load it into a new
 * address space: *vm, and the initial stack pointer (or a negative errno). */
static long load_program(const struct exec_args *args, struct inode *file, uint8_t *head,
                         struct elf_program *program, struct vm *vm, struct arg_area *arguments)
{
    uint64_t flags = spin_lock(&fs_lock);
    uint64_t size = file->size;
    int error;
    const uint8_t *first = ramfs_page(file, 0, false, &error);
    size_t head_size = size < PAGE_SIZE ? size : PAGE_SIZE;
    if (first)
        memcpy(head, first, head_size);
    else
        memset(head, 0, head_size);
    spin_unlock(&fs_lock, flags);
    const char *why;
    if (elf_parse(head, head_size, size, program, &why)) {
        kprintf("exec %s: not a program Twofold can run: %s\n", args->path, why);
        return -ENOEXEC;
    }
    for (size_t i = 0; i < program->segment_count; i++)
        if (program->segments[i].vaddr < USER_MIN) {
            kprintf("exec %s: a segment at %lx, below the lowest user address %llx\n", args->path,
                    program->segments[i].vaddr, USER_MIN);
            return -EPERM;
        }
    error = vm_init(vm);
    if (error)
        return error;
    long sp = load_segments(vm, program, file);
    if (!sp)
        sp = vm_map(vm, USER_STACK_TOP - STACK_SIZE, STACK_SIZE, VM_READ | VM_WRITE);
    if (!sp)
        sp = build_stack(vm, args, program, arguments);
    if (sp < 0)
        vm_destroy(vm);
    return sp;
}

long exec_program(struct process *p, const struct exec_args *args)
{
    if (p->leader != p)
        return -EINVAL;                     /* a thread: Linux moves the leader's pid to it; Twofold does not */
    struct inode *file = NULL;
    int error = find_program(p, args->path, &file);
    if (error)
        return error;
    uint64_t head_frame = frame_alloc();
    struct elf_program program;
    struct vm *vm = kmalloc(sizeof *vm);
    struct arg_area arguments;
    long sp = head_frame && vm ? load_program(args, file, phys_to_virt(head_frame), &program, vm, &arguments)
                               : -ENOMEM;
    if (head_frame)
        frame_free(head_frame);
    if (sp < 0) {
        kfree(vm);
        put_program(file);
        return sp;
    }

    /* The point of no return: the new program replaces the old one, in the process's only
     * thread. Under process_lock, so that /proc, which reads p->vm under it, holds the old
     * address space or the new. */
    if (p->live_threads > 1)                /* so never for the first, before any runs */
        process_end_other_threads();
    uint64_t flags = process_lock_take();
    struct vm *old = p->vm;
    p->vm = vm;
    process_lock_drop(flags);
    p->kernel_cr3 = vm_kernel_cr3(vm);
    p->user_cr3 = vm_user_cr3(vm);
    p->fs_base = p->gs_base = 0;
    p->fs_selector = p->gs_selector = 0;
    memcpy(p->fpu_state, fpu_clean_state, FPU_STATE_SIZE);
    if (p == current_process()) {
        sched_load_address_space(p);
        sched_load_user_segments(p);
        fpu_restore(p->fpu_state);
    }
    if (old)
        vm_put(old);
    if (p->vm_lender)
        process_vm_give_back(p);            /* a vfork child: the parent goes on */
    fd_table_exec(p);
    signal_exec(p);

    procfs_set_exe(p, args->path, file);
    put_program(file);
    p->arguments = arguments;
    const char *name = basename(args->path);
    size_t len = strlen(name) < sizeof p->name - 1 ? strlen(name) : sizeof p->name - 1;
    memcpy(p->name, name, len);
    p->name[len] = '\0';
    *process_frame(p) = (struct trap_frame){
        .rip = program.entry, .cs = USER_CS, .rflags = RFLAGS_IF | 2, .rsp = (uint64_t)sp, .ss = USER_DS,
    };
    return 0;
}
