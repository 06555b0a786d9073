//go:build ignore

// echo.go: Go's echo server, the twin of examples/34_echo_server.gc: a
// goroutine per connection copies what it reads back.
// usage: echo PORT
package main

import (
	"fmt"
	"io"
	"net"
	"os"
)

func main() {
	ln, err := net.Listen("tcp", "127.0.0.1:"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("echo: listening on 127.0.0.1:%s\n", os.Args[1])
	for {
		c, err := ln.Accept()
		if err != nil {
			continue
		}
		go func(c net.Conn) {
			io.Copy(c, c)
			c.Close()
		}(c)
	}
}
