"""Safe media decoding, perceptual hashing inputs, clues and blurred thumbnails."""
