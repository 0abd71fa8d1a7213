# labs/07-compare/lab.mk - the lab's manifest: what the kit's tools know of it. The
# top Makefile, ipclab, the self-check, make docs, the editions and this
# lab's own Makefile read it; nothing else names the lab. One "key := value"
# a line:
#   number   the lab's number, as students type it (ipclab test NN)
#   title    the line reports and the progress view show
#   sources  what a student writes and a submission holds
#   headers  the contract, always the kit's own copy
#   demos    programs this lab's make builds (each from NAME.c and the sources)
number  := 07
title   := Lab 07: which IPC is fastest, and why
sources := links.c harness.c
headers := compare.h
demos   := ipcbench
