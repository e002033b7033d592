package follow

import (
	"context"
	"time"

	"github.com/fsnotify/fsnotify"
)

// coalesce is how long the loop lets changes gather after the file system
// reports one, so that a busy log costs a pass per few writes, not one
// per write.
const coalesce = 10 * time.Millisecond

// waker wakes the poll loop when something changes in the watched
// directories. Without a watcher (inotify unavailable or out of watches)
// it leaves the loop to its poll interval.
type waker struct {
	w       *fsnotify.Watcher
	wake    chan struct{}
	watched map[string]bool
}

func newWaker() *waker {
	k := &waker{wake: make(chan struct{}, 1), watched: map[string]bool{}}
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return k
	}
	k.w = w
	go func() {
		for {
			select {
			case _, ok := <-w.Events:
				if !ok {
					return
				}
				select {
				case k.wake <- struct{}{}:
				default:
				}
			case _, ok := <-w.Errors:
				if !ok {
					return
				}
			}
		}
	}()
	return k
}

// watch adds the directories not watched yet, and reports whether it
// added any; one that cannot be watched (not there yet) is tried again next
// time.
func (k *waker) watch(dirs map[string]bool) (added bool) {
	if k.w == nil {
		return false
	}
	for d := range dirs {
		if !k.watched[d] && k.w.Add(d) == nil {
			k.watched[d] = true
			added = true
		}
	}
	return added
}

// wait returns after a tick or a change, or false when ctx is done.
func (k *waker) wait(ctx context.Context, tick <-chan time.Time) bool {
	select {
	case <-ctx.Done():
		return false
	case <-tick:
		return true
	case <-k.wake:
	}
	t := time.NewTimer(coalesce)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-t.C:
	}
	select {
	case <-k.wake:
	default:
	}
	return true
}

func (k *waker) close() {
	if k.w != nil {
		k.w.Close()
	}
}
