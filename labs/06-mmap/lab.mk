# labs/06-mmap/lab.mk - the lab's manifest: what the kit's tools know of it. The
# top Makefile, ipclab, the self-check, make docs, the editions and this
# lab's own Makefile read it; nothing else names the lab. One "key := value"
# a line:
#   number   the lab's number, as students type it (ipclab test NN)
#   title    the line reports and the progress view show
#   sources  what a student writes and a submission holds
#   headers  the contract, always the kit's own copy
#   demos    programs this lab's make builds (each from NAME.c and the sources)
number  := 06
title   := Lab 06: memory mappings
sources := mapped.c
headers := mapped.h
demos   := counter board
