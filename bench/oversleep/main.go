// oversleep: how late a 1 ms time.Sleep wakes up while other goroutines keep
// the processor busy. For each load L in 2, 8 and 64, L goroutines ping-pong
// on channels (L/2 pairs, each bouncing a counter over two unbuffered
// channels) while main sleeps 1 ms N times (default 10); each sleep's
// oversleep is its measured duration minus 1 ms. Prints one line per load,
// "oversleep L MEDIAN_US MAX_US", then a checksum line that depends only on
// the work (bench/run compares it). Meant for GOMAXPROCS=1.
package main

import (
	"fmt"
	"os"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

var stop atomic.Bool // set by main when a load's sleeps are done

func pinger(ping, pong chan int64, wg *sync.WaitGroup) {
	var v int64
	for !stop.Load() {
		ping <- v
		v = <-pong
	}
	close(ping)
	wg.Done()
}

func ponger(ping, pong chan int64, wg *sync.WaitGroup) {
	for v := range ping {
		pong <- v + 1
	}
	wg.Done()
}

func main() {
	n := 10
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	if n < 1 {
		n = 1
	}
	loads := []int{2, 8, 64}
	late := make([]int64, n)
	totalSleeps := 0
	for _, load := range loads {
		stop.Store(false)
		var wg sync.WaitGroup
		for p := 0; p < load/2; p++ {
			ping := make(chan int64)
			pong := make(chan int64)
			wg.Add(2)
			go ponger(ping, pong, &wg)
			go pinger(ping, pong, &wg)
		}
		time.Sleep(time.Millisecond) // let the ping-pong get going
		for i := 0; i < n; i++ {
			t0 := time.Now()
			time.Sleep(time.Millisecond)
			late[i] = int64(time.Since(t0) - time.Millisecond)
			totalSleeps++
		}
		stop.Store(true)
		wg.Wait()
		sort.Slice(late, func(a, b int) bool { return late[a] < late[b] })
		fmt.Println("oversleep", load, late[n/2]/1000, late[n-1]/1000)
	}
	fmt.Println("checksum", 3, totalSleeps)
}
