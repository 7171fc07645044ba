"""Constructs for the DigitalOcean Kubernetes cluster (applied by cluster-stack)."""
