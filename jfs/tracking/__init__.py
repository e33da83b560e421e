"""After an online application: messages between the applicant and the officer, and the
satisfaction survey after the decision."""
