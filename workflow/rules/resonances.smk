# Stage "resonances": rules are added by the issue that builds it.
