#!/usr/bin/env python3
"""tools/debian.py: what the build takes from Debian's archive without installing it: a
package fetched with `apt-get download` and some of its files unpacked into a directory of
the build, once (a record of the package file says it is there). `make bench` takes Linux's
kernel image so (tools/bench.py); `make test` takes Linux's x86 selftests from the kernel
source package (tools/selftests.mk):

    tools/debian.py PACKAGE DIRECTORY [--tarball PATH] MEMBER...

unpacks each MEMBER (a path or glob in the package, or, with --tarball, in the tarball PATH
that the package holds) into DIRECTORY and prints the package file's name.
"""
import argparse
import pathlib
import re
import subprocess
import sys


def run_quiet(command, **kwargs):
    return subprocess.run(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          **kwargs)


def with_lists(run):
    """run() once, and again after `apt-get update` if it failed: on a fresh machine apt has
    no package lists yet. run returns (ok, value); so does this."""
    ok, value = run()
    if not ok:
        run_quiet(["apt-get", "update", "-qq"])
        ok, value = run()
    return ok, value


def depends(package, prefix):
    """The package `package` depends on whose name starts with prefix (linux-image-amd64 ->
    linux-image-6.1.0-56-amd64)."""
    def look():
        out = run_quiet(["apt-cache", "depends", package]).stdout
        match = re.search(rf"Depends: ({re.escape(prefix)}\S+)", out)
        return bool(match), match.group(1) if match else out
    ok, value = with_lists(look)
    if not ok:
        raise RuntimeError(f"apt knows no {package}:\n{value}")
    return value


def fetch(package, directory, members, tarball=None):
    """package's members (globs) unpacked into directory, the first time: returns the name
    of the package file they came from."""
    directory = pathlib.Path(directory)
    record = directory / "package"         # the package file's name, then what was taken
    taken = "\n".join([tarball or "", *members])
    if record.exists() and record.read_text().partition("\n")[2] == taken + "\n":
        return record.read_text().partition("\n")[0]
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.deb"):
        old.unlink()
    print(f"fetching {package} into {directory}", flush=True)

    def download():
        result = run_quiet(["apt-get", "download", package], cwd=directory)
        debs = sorted(directory.glob("*.deb"))
        return result.returncode == 0 and bool(debs), debs[0] if debs else result.stdout
    ok, deb = with_lists(download)
    if not ok:
        raise RuntimeError(f"apt-get download {package} failed:\n{deb}")
    # The package's files as a tar stream; with a tarball inside, that tarball's.
    contents = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    stages = [contents]
    if tarball:
        inner = subprocess.Popen(["tar", "-xO", "./" + tarball.lstrip("./")], stdin=contents.stdout,
                                 stdout=subprocess.PIPE)
        contents.stdout.close()
        stages.append(inner)
    untar = run_quiet(["tar", "-x", *(["--xz"] if tarball else []), "-C", str(directory), "--wildcards",
                       *members], stdin=stages[-1].stdout)
    stages[-1].stdout.close()
    if any(stage.wait() != 0 for stage in stages) or untar.returncode != 0:
        raise RuntimeError(f"unpacking {deb} failed:\n{untar.stdout}")
    record.write_text(f"{deb.name}\n{taken}\n")
    deb.unlink()
    return deb.name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package")
    parser.add_argument("directory")
    parser.add_argument("--tarball", help="a tarball in the package, whose members to unpack")
    parser.add_argument("members", nargs="+")
    args = parser.parse_args()
    try:
        print(fetch(args.package, args.directory, args.members, args.tarball))
    except RuntimeError as error:
        sys.exit(f"debian.py: {error}")


if __name__ == "__main__":
    main()
