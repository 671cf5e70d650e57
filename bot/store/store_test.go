package store_test

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store"
	"github.com/plusvibe-slack-bot/plusvibe-slack-bot/bot/store/redistest"
)

// startRedis starts a redis-server of the test's own and opens a store on it.
func startRedis(t *testing.T) (*redistest.Server, *store.Redis) {
	srv := redistest.Start(t)
	return srv, openRedis(t, srv)
}

// openRedis opens one more store on srv, as another replica would.
func openRedis(t *testing.T, srv *redistest.Server) *store.Redis {
	s, err := store.OpenRedis(srv.URL(), "test:")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// withMemory is every kind, and the in-process store (one replica: both
// sides are the same store).
func withMemory() map[string]replicas {
	stores := kinds()
	stores["memory"] = func(*testing.T) (store.Store, store.Store) { m := store.NewMemory(); return m, m }
	return stores
}

// replicas returns two stores that share state, as two bot processes do.
type replicas func(t *testing.T) (store.Store, store.Store)

func kinds() map[string]replicas {
	return map[string]replicas{
		"redis": func(t *testing.T) (store.Store, store.Store) {
			srv, a := startRedis(t)
			b := openRedis(t, srv)
			return a, b
		},
	}
}

func TestOneTakerAmongConcurrentReplicas(t *testing.T) {
	t.Parallel()
	for name, open := range kinds() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, b := open(t)
			var mu sync.Mutex
			firsts := 0
			var wg sync.WaitGroup
			for i := range 40 {
				s := a
				if i%2 == 1 {
					s = b
				}
				wg.Go(func() {
					c, err := s.Take(t.Context(), "view:V1", time.Minute)
					if err != nil {
						t.Error(err)
					}
					if c.First {
						mu.Lock()
						firsts++
						mu.Unlock()
					}
				})
			}
			wg.Wait()
			if firsts != 1 {
				t.Errorf("%d takers of one key across two replicas, want 1", firsts)
			}
		})
	}
}

func TestTakeFinishRelease(t *testing.T) {
	t.Parallel()
	for name, open := range withMemory() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, b := open(t)
			ctx := t.Context()
			take := func(s store.Store, key string) store.Claim {
				t.Helper()
				c, err := s.Take(ctx, key, time.Minute)
				if err != nil {
					t.Fatal(err)
				}
				return c
			}
			if c := take(a, "k"); !c.First {
				t.Fatalf("first Take = %+v", c)
			}
			if c := take(b, "k"); c.First || c.Done {
				t.Errorf("Take of a held key = %+v, want held and running", c)
			}
			if name == "redis" {
				_ = b.Release(ctx, "k") // not b's to release
				if c := take(b, "k"); c.First {
					t.Error("another replica released a key it did not hold")
				}
			}
			if err := a.Finish(ctx, "k", "<@U1> already approved this request.", time.Hour); err != nil {
				t.Fatal(err)
			}
			if c := take(b, "k"); c.First || !c.Done || c.Final != "<@U1> already approved this request." {
				t.Errorf("Take of a finished key = %+v", c)
			}
			// A later outcome replaces an earlier one (a password shown,
			// then where it went).
			if err := a.Finish(ctx, "k", "later", time.Hour); err != nil {
				t.Fatal(err)
			}
			if c := take(b, "k"); !c.Done || c.Final != "later" {
				t.Errorf("Take after a second Finish = %+v, want the later outcome", c)
			}
			take(a, "r")
			if err := a.Release(ctx, "r"); err != nil {
				t.Fatal(err)
			}
			if c := take(b, "r"); !c.First {
				t.Errorf("Take after Release = %+v, want first", c)
			}
		})
	}
}

func TestHeldKeyFreesItselfWhenItsHolderDies(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	// Redis says when it expires a key; wait for that event, bounded.
	watch := redis.NewClient(&redis.Options{Addr: srv.Addr()})
	defer watch.Close()
	if err := watch.ConfigSet(t.Context(), "notify-keyspace-events", "Ex").Err(); err != nil {
		t.Fatal(err)
	}
	expired := watch.Subscribe(t.Context(), "__keyevent@0__:expired")
	defer expired.Close()
	if _, err := expired.Receive(t.Context()); err != nil { // the subscription is in place
		t.Fatal(err)
	}
	a, _ := store.OpenRedis(srv.URL(), "test:")
	b, _ := store.OpenRedis(srv.URL(), "test:")
	defer a.Close()
	defer b.Close()
	if c, _ := a.Take(t.Context(), "k", 50*time.Millisecond); !c.First {
		t.Fatal("not taken")
	}
	select {
	case m := <-expired.Channel():
		if m.Payload != "test:k" {
			t.Fatalf("expired %q", m.Payload)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a held key outlived its hold")
	}
	if c, err := b.Take(t.Context(), "k", time.Minute); err != nil || !c.First {
		t.Errorf("Take after the holder's hold ran out = %+v, %v", c, err)
	}
}

func TestRedisDownIsAnErrorAndRecovers(t *testing.T) {
	t.Parallel()
	srv, s := startRedis(t)
	srv.Stop()
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if _, err := s.Take(ctx, "k", time.Minute); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Take with Redis down = %v, want ErrUnavailable", err)
	}
	if err := s.Ping(ctx); !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Ping with Redis down = %v", err)
	}
	srv.Restart()
	if c, err := s.Take(ctx, "k", time.Minute); err != nil || !c.First {
		t.Errorf("Take after Redis came back = %+v, %v", c, err)
	}
}

func TestLists(t *testing.T) {
	t.Parallel()
	for name, open := range withMemory() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			a, b := open(t)
			ctx := t.Context()
			note := func(id, value string) {
				t.Helper()
				if err := a.Note(ctx, "home:U1", store.Entry{ID: id, Value: value, Max: 2, Keep: time.Hour}); err != nil {
					t.Fatal(err)
				}
			}
			list := func() []string {
				t.Helper()
				got, err := b.List(ctx, "home:U1") // as another replica reads it
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			if got := list(); len(got) != 0 {
				t.Errorf("empty list = %q", got)
			}
			note("r1", "first")
			note("r2", "second")
			note("r3", "third") // r1 falls off: two at most
			if got := list(); !slices.Equal(got, []string{"third", "second"}) {
				t.Errorf("list = %q, want the newest two, newest first", got)
			}
			note("r2", "second, approved") // updated in place
			if got := list(); !slices.Equal(got, []string{"third", "second, approved"}) {
				t.Errorf("after an update, list = %q", got)
			}
			if err := b.Forget(ctx, "home:U1", "r3"); err != nil {
				t.Fatal(err)
			}
			if got := list(); !slices.Equal(got, []string{"second, approved"}) {
				t.Errorf("after Forget, list = %q", got)
			}
			if got, _ := b.List(ctx, "home:U2"); len(got) != 0 {
				t.Errorf("another list = %q", got)
			}
		})
	}
}

// A list in Redis expires keep after its last change.
func TestListsExpireInRedis(t *testing.T) {
	t.Parallel()
	srv, st := startRedis(t)
	if err := st.Note(t.Context(), "pending", store.Entry{ID: "r1", Value: "v", Max: 10, Keep: time.Hour}); err != nil {
		t.Fatal(err)
	}
	opts, _ := redis.ParseURL(srv.URL())
	raw := redis.NewClient(opts)
	defer raw.Close()
	for _, key := range []string{"test:list:{pending}:order", "test:list:{pending}:values"} {
		if ttl := raw.PTTL(t.Context(), key).Val(); ttl <= 59*time.Minute || ttl > time.Hour {
			t.Errorf("%s expires in %v, want an hour", key, ttl)
		}
	}
}
