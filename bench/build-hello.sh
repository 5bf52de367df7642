#!/bin/sh
# Build the libmicrohttpd hello-world baseline: bench/build-hello.sh OUTPUT
# (run from the top of the source tree).
set -eu
if [ $# -ne 1 ]; then
	echo "usage: bench/build-hello.sh OUTPUT" >&2
	exit 2
fi
cc -O2 -o "$1" bench/hello.c $(pkg-config --cflags --libs libmicrohttpd) -lpthread
