// ring: 503 goroutines in a ring of unbuffered channels pass a token N times
// (default 10,000,000); each pass decrements it, and the goroutine that
// receives 0 reports its number (the benchmarks game's thread-ring).
package main

import (
	"fmt"
	"os"
	"strconv"
)

const ringSize = 503

func node(id int, in <-chan int, out chan<- int, done chan<- int) {
	for {
		t := <-in
		if t == 0 {
			done <- id
			return
		}
		out <- t - 1
	}
}

func main() {
	n := 10000000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	var chans [ringSize]chan int
	for i := range chans {
		chans[i] = make(chan int)
	}
	done := make(chan int)
	for i := 0; i < ringSize; i++ {
		go node(i+1, chans[i], chans[(i+1)%ringSize], done)
	}
	chans[0] <- n
	fmt.Println("checksum", <-done)
}
