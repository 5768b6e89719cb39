package rooms

// ClientIDsInMemory tells how many client message ids a loaded room keeps in memory (tests).
func (d *Discussion) ClientIDsInMemory(roomName string) int {
	d.mu.Lock()
	r := d.rooms[roomName]
	d.mu.Unlock()
	if r == nil {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.cmids)
}
