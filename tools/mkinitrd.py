#!/usr/bin/env python3
"""tools/mkinitrd.py OUTPUT ROOT PATH... [--extra DIR]...: write the initrd, a cpio "newc"
archive (kernel/lib/cpio.h) holding each ROOT/PATH as /PATH and, with --extra, every file and
symbolic link under DIR as /its path under DIR; an extra file replaces a built-in one of the
same name, and a later DIR's an earlier's (so EXTRA can bring its own /init, or its own
/bin/sh). tools/user.mk runs it for $(INITRD).

Entries are stored without the leading "/", as `cpio -o -H newc` stores them: the "." root,
then each directory before the files in it. Owner, group and times are 0, so the same inputs
give the same archive; modes are the files' own (programs stay executable).
"""
import argparse
import os
import pathlib
import stat
import sys

MAGIC = b"070701"
TRAILER = "TRAILER!!!"


def entry(ino, name, mode, data=b""):
    """One newc entry: the 110-byte header, the NUL-terminated name and the data, each padded
    so the next part starts 4-aligned."""
    encoded = name.encode() + b"\0"
    nlink = 2 if stat.S_ISDIR(mode) else 1
    # ino, mode, uid, gid, nlink, mtime, filesize, devmajor, devminor, rdevmajor,
    # rdevminor, namesize, check
    fields = (ino, mode, 0, 0, nlink, 0, len(data), 0, 0, 0, 0, len(encoded), 0)
    out = MAGIC + b"".join(b"%08x" % field for field in fields) + encoded
    out += bytes(-len(out) % 4) + data
    return out + bytes(-len(out) % 4)


def collect(root, paths, extras):
    """{archive name: host file or link} for the built-in paths, then everything under each
    of extras in turn."""
    files = {path.strip("/"): pathlib.Path(root) / path for path in paths}
    for extra in map(pathlib.Path, extras):
        if not extra.is_dir():
            raise RuntimeError(f"{extra}: not a directory")
        for host in sorted(extra.rglob("*")):
            if host.is_symlink() or host.is_file():
                files[host.relative_to(extra).as_posix()] = host
            elif not host.is_dir():
                raise RuntimeError(f"{host} is neither a file, a link nor a directory")
    return files


def archive(files):
    """The archive bytes for {archive name: host file}."""
    dirs = {parent.as_posix() for name in files for parent in pathlib.PurePosixPath(name).parents}
    dirs.discard(".")
    if clash := sorted(dirs & set(files)):
        raise RuntimeError(f"{clash[0]} would be both a file and a directory")
    out = [entry(1, ".", stat.S_IFDIR | 0o755)]
    for name in sorted(dirs | set(files)):
        ino = len(out) + 1
        if name in dirs:
            out.append(entry(ino, name, stat.S_IFDIR | 0o755))
        else:
            host = files[name]
            if host.is_symlink():           # its target is its data, as cpio stores it
                out.append(entry(ino, name, stat.S_IFLNK | 0o777, os.readlink(host).encode()))
            else:
                mode = stat.S_IFREG | stat.S_IMODE(os.stat(host).st_mode)
                out.append(entry(ino, name, mode, host.read_bytes()))
    out.append(entry(0, TRAILER, 0))
    return b"".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("output")
    parser.add_argument("root")
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--extra", action="append", default=[],
                        help="a directory whose every file and link is added too (may be repeated)")
    args = parser.parse_args()
    try:
        data = archive(collect(args.root, args.paths, args.extra))
    except (OSError, RuntimeError) as error:
        sys.exit(f"mkinitrd: {error}")
    pathlib.Path(args.output).write_bytes(data)


if __name__ == "__main__":
    main()
