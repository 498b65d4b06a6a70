"""Event subscriptions: contract events delivered to webhooks, the bus or an inbox, reorg-safe."""
