"""What an operator reports about its street: monthly figures (月报), satisfaction surveys, internship positions."""
