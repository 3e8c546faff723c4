"""Users (用户): the accounts a city admin and the province manage."""
