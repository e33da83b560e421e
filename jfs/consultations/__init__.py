"""Legal consultation: appointments at an office (in person or by video) and questions asked online."""
