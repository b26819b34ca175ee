"""Signal indexes behind one protocol: exact lookup and Hamming search within a radius."""
