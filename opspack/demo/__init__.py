"""`opspack demo`: the governed walkthrough (`opspack.demo.walkthrough`) and its sections, one module each."""
