//go:build !veilfaults

package filter

// faultInjection is off in release builds.
const faultInjection = false
