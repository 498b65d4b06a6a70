"""The oracle: signed multi-node price feeds and arbitrary requests (docs/oracle.md)."""
