package main

import (
	"time"

	"plenary/bench/internal/serverproc"
)

// The server under test is the real binary on a fresh data directory (bench/internal/serverproc).
const (
	adminEmail    = serverproc.AdminEmail
	adminPassword = serverproc.AdminPassword
)

func startServer(bin string) (*serverproc.Proc, error) {
	return serverproc.Start(bin, "plenary-bench-meetings-")
}

func snapCPU(srv *serverproc.Proc) serverproc.CPUSnap { return serverproc.SnapCPU(srv) }

func cpuTime(pid int) time.Duration { return serverproc.CPUTime(pid) }

func number(line []byte, key string) int64 { return serverproc.Number(line, key) }
