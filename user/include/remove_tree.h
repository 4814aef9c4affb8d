/* user/include/remove_tree.h: removing a directory and everything under it (rm -r), for the
 * programs that clean up a scratch directory. */
#pragma once
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Remove path and, for a directory, all it holds (links are removed, not followed).
 * Returns 0, or -1 if something could not be removed. */
static inline int remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return -1;
    if (!S_ISDIR(st.st_mode))
        return unlink(path);
    int result = 0;
    DIR *dir = opendir(path);
    struct dirent *e;
    while (dir && (e = readdir(dir)))
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            char child[PATH_MAX];
            if (snprintf(child, sizeof child, "%s/%s", path, e->d_name) >= (int)sizeof child)
                result = -1;                /* too deep to name */
            else
                result |= remove_tree(child);
        }
    if (dir)
        closedir(dir);
    return rmdir(path) | result;
}
