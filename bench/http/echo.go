//go:build ignore

// echo.go: Go's echo server, the twin of examples/34_echo_server.gc: a
// goroutine per connection writes back what it reads, through a 4 KiB buffer
// as the gc program does. (Not io.Copy(c, c): for TCP it splices through a
// pipe, two more descriptors per connection, and 10,000 connections then hit
// the open-file limit.)
// usage: echo PORT
package main

import (
	"fmt"
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
			buf := make([]byte, 4096)
			for {
				n, err := c.Read(buf)
				if n > 0 {
					if _, werr := c.Write(buf[:n]); werr != nil {
						break
					}
				}
				if err != nil {
					break
				}
			}
			c.Close()
		}(c)
	}
}
