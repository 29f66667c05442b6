"""One release, one row: canonical URLs and platform ids, MinHash signatures,
and the clusters that link one release published on several platforms."""
