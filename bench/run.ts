console.log("benchmarks: not yet")
