// sieve: the concurrent prime sieve: a generator goroutine feeds a chain of
// filter goroutines, one per prime found; find the first N primes (default 5,000).
package main

import (
	"fmt"
	"os"
	"strconv"
)

func generate(out chan<- int) {
	for i := 2; ; i++ {
		out <- i
	}
}

func filter(in <-chan int, out chan<- int, prime int) {
	for {
		v := <-in
		if v%prime != 0 {
			out <- v
		}
	}
}

func main() {
	n := 5000
	if len(os.Args) > 1 {
		n, _ = strconv.Atoi(os.Args[1])
	}
	ch := make(chan int)
	go generate(ch)
	var sum int64
	last := 0
	for i := 0; i < n; i++ {
		prime := <-ch
		sum += int64(prime)
		last = prime
		next := make(chan int)
		go filter(ch, next, prime)
		ch = next
	}
	fmt.Println("checksum", last, sum)
}
