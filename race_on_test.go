//go:build race

package main

// raceEnabled is true when the tests run with -race, whose instrumented
// memory makes RSS figures meaningless.
const raceEnabled = true
