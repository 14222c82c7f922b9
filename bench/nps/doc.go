// Package npsbench measures radscope's emulated NPS (package nps) against
// FreeRADIUS 3 on loopback: requests per second and p50/p99 latency for
// PAP and MS-CHAPv2 without MFA, both servers driven by the same closed-loop
// load generator in one run, each server in its own process. Run it with
//
//	RADSCOPE_BENCH=1 go test ./bench/nps -run Throughput -v
//
// (FreeRADIUS from Debian's freeradius package; the test skips without it).
// Results are recorded in RESULTS.md.
package npsbench
