"""The public knowledge base: questions and answers in Thai, searched with Thai word segmentation."""
