print("tack-bench")
