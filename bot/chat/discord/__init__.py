"""Discord adapter: slash commands, rule editor and the gateway client."""
