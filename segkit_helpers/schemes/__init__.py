"""The segmentation schemes of the hypothesis step."""
