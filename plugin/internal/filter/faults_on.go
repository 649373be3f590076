//go:build veilfaults

package filter

// faultInjection is on in builds made with -tags veilfaults (build/veil-faults.wasm).
const faultInjection = true
