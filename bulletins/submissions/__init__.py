"""信息报送 and 采编: units send news pieces, the unit's leader signs them off, the office
adopts them into a bulletin issue; adoptions earn points in the year's assessment."""
