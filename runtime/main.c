/*
 * main.c - the program's main(), linked only when the program has none of its
 * own: runs the generated gocc__main as the main goroutine.
 */
#include "sched.h"

int main(int argc, char **argv, char **envp) { gocc_sched_start(gocc__main, argc, argv, envp); }
