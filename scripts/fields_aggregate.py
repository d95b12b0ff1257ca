raise NotImplementedError("pending")
