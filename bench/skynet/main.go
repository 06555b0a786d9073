// skynet: a tree of goroutines, 10 children per node, N leaves (default
// 1,000,000). Each leaf sends its number up an unbuffered channel; each inner
// node sums its children's answers and sends the sum to its parent.
package main

import (
	"fmt"
	"os"
	"strconv"
)

func skynet(out chan int64, num, size, div int64) {
	if size == 1 {
		out <- num
		return
	}
	rc := make(chan int64)
	step := size / div
	for i := int64(0); i < div; i++ {
		go skynet(rc, num+i*step, step, div)
	}
	var sum int64
	for i := int64(0); i < div; i++ {
		sum += <-rc
	}
	out <- sum
}

func main() {
	leaves := int64(1000000)
	if len(os.Args) > 1 {
		leaves, _ = strconv.ParseInt(os.Args[1], 10, 64)
	}
	c := make(chan int64)
	go skynet(c, 0, leaves, 10)
	fmt.Println("checksum", <-c)
}
