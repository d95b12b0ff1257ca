# Stage "avalanche": rules are added by the issue that builds it.
