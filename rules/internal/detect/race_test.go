//go:build race

package detect

// raceEnabled: sync.Pool drops items at random under the race detector.
const raceEnabled = true
