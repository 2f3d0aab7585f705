def receipt_pdf(receipt) -> bytes:  # replaced by the real renderer
    raise NotImplementedError
