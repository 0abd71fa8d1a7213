# plot.gp - draws ipcbench's CSV: `gnuplot -e "csv='results.csv'" plot.gp`
# (what `make plot` runs). Writes latency.svg and latency.png (the median
# 8-byte round trip of each mechanism, its 99th percentile as a whisker,
# beside a cache line's round trip and a null system call) and
# throughput.svg and throughput.png (GB/s against the message size, one
# curve a mechanism, memcpy as the ceiling).
if (!exists("csv")) csv = "results.csv"
set datafile separator ","
set grid ytics
mechs = "pipe fifo unix msgq shm ring"

# ---- latency: bars of p50 (column 6), whiskers to p99 (column 7) ----
# The rows are picked with awk; the floors come after the mechanisms.
latency = "< awk -F, '$1 == \"latency\"' " . csv
floors = "< awk -F, '$2 == \"line\" || $2 == \"syscall\"' " . csv
set key top right
set title "8-byte round trip (median, whisker to p99)"
set ylabel "nanoseconds (log scale)"
set logscale y
set style fill solid 0.6 border -1
set boxwidth 0.6 absolute
set xrange [-0.6:7.6]
do for [out in "svg png"] {
	if (out eq "svg") { set terminal svg size 800,480 dynamic } else { set terminal png size 800,480 }
	set output "latency." . out
	plot latency using 0:6:6:7:(0.6):xtic(2) with boxerrorbars lc 1 title "mechanism", \
	     floors using ($0 + 6):6:6:7:(0.6):xtic(2) with boxerrorbars lc 2 title "floor"
}
unset logscale y
unset xrange
unset xtics
set xtics

# ---- throughput: GB/s (column 11) against bytes (column 3) ----
set key top left
set title "Throughput against message size"
set xlabel "message size, bytes (log scale)"
set ylabel "GB/s (10^9 bytes a second)"
set logscale x 2
set logscale y
set xtics ("64" 64, "1 KiB" 1024, "64 KiB" 65536, "1 MiB" 1048576)
gbps(name) = (strcol(1) eq "throughput" && strcol(2) eq name) ? $11 : 1/0
do for [out in "svg png"] {
	if (out eq "svg") { set terminal svg size 800,480 dynamic } else { set terminal png size 800,480 }
	set output "throughput." . out
	plot for [name in mechs] csv using 3:(gbps(name)) with linespoints title name, \
	     csv using (1048576):((strcol(1) eq "calibration" && strcol(2) eq "memcpy") ? $11 : 1/0) \
		with points pt 7 ps 2 title "memcpy, 1 MiB"
}
