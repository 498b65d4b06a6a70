"""Disaster-recovery drills: break a real service layer on this machine and measure recovery."""
