"""Small helpers with no knowledge of sites: sockets and loopback (net), files (fs)."""
