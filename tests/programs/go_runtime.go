// go_runtime.go: a statically linked Go program: goroutines over channels and a WaitGroup, a
// mutex, select with timers, time.Sleep and tickers (Go's timers live in its netpoller: epoll),
// the garbage collector under allocation, signal.Notify for a signal sent to itself, a goroutine
// blocked reading a pipe while others work, and os/exec running a child.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"runtime"
	"sync"
	"syscall"
	"time"
)

func main() {
	results := make(chan int)
	var wg sync.WaitGroup
	for w := 1; w <= 8; w++ {
		wg.Add(1)
		go func(id int) {
			defer wg.Done()
			s := 0
			for i := 0; i < 100000; i++ {
				s += i % id
			}
			results <- s
		}(w)
	}
	go func() { wg.Wait(); close(results) }()
	total := 0
	for v := range results {
		total += v
	}
	fmt.Println("goroutines:", total)

	var mu sync.Mutex
	count := 0
	var wg2 sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg2.Add(1)
		go func() {
			defer wg2.Done()
			for k := 0; k < 10000; k++ {
				mu.Lock()
				count++
				mu.Unlock()
				if k%1000 == 0 {
					runtime.Gosched()
				}
			}
		}()
	}
	wg2.Wait()
	fmt.Println("mutex:", count)

	start := time.Now()
	time.Sleep(30 * time.Millisecond)
	fmt.Println("slept at least 30 ms:", time.Since(start) >= 30*time.Millisecond)
	tick := time.NewTicker(5 * time.Millisecond)
	n := 0
	timeout := time.After(2 * time.Second)
loop:
	for {
		select {
		case <-tick.C:
			n++
			if n == 5 {
				break loop
			}
		case <-timeout:
			break loop
		}
	}
	tick.Stop()
	fmt.Println("ticker fired", n, "times")

	var keep [][]byte
	for i := 0; i < 2000; i++ {
		keep = append(keep, make([]byte, 32<<10))
		if len(keep) > 16 {
			keep = keep[1:]
		}
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	fmt.Println("gc cycles happened:", ms.NumGC > 0, "kept", len(keep))

	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGUSR1)
	syscall.Kill(os.Getpid(), syscall.SIGUSR1)
	select {
	case s := <-sigs:
		fmt.Println("signal received:", s)
	case <-time.After(10 * time.Second):
		fmt.Println("no signal")
	}

	r, w, _ := os.Pipe()
	got := make(chan string)
	go func() {
		buf := make([]byte, 64)
		k, _ := r.Read(buf)
		got <- string(buf[:k])
	}()
	busy := 0
	for i := 0; i < 1000000; i++ {
		busy += i & 1
	}
	w.Write([]byte("through a pipe"))
	fmt.Println("pipe:", <-got, busy)

	out, err := exec.Command("/bin/echo", "from a child").Output()
	fmt.Printf("exec: %q %v\n", string(out), err)
}
