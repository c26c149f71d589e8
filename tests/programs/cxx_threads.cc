// cxx_threads.cc: C++ threads: std::thread, std::async and futures, std::mutex with
// condition_variable, std::shared_mutex, thread_local, atomics, and an exception carried
// across threads by a promise.
#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <future>
#include <mutex>
#include <numeric>
#include <queue>
#include <shared_mutex>
#include <stdexcept>
#include <thread>
#include <vector>

thread_local int tl = 1;

int main()
{
    std::atomic<long> total{0};
    std::vector<std::thread> ts;
    for (int i = 1; i <= 4; i++)
        ts.emplace_back([&total, i] {
            tl += i;
            for (int k = 0; k < 10000; k++)
                total += i;
            total += tl * 1000000;
        });
    for (auto &t : ts)
        t.join();
    std::printf("threads: total %ld, main's thread_local %d\n", total.load(), tl);

    std::vector<std::future<long>> fs;
    for (long n = 1; n <= 5; n++)
        fs.push_back(std::async(std::launch::async, [n] {
            std::vector<long> v(n * 1000);
            std::iota(v.begin(), v.end(), 0);
            return std::accumulate(v.begin(), v.end(), 0L);
        }));
    long s = 0;
    for (auto &f : fs)
        s += f.get();
    std::printf("async: %ld\n", s);

    std::mutex m;
    std::condition_variable cv;
    std::queue<int> q;
    bool done = false;
    std::thread prod([&] {
        for (int i = 0; i < 100; i++) {
            std::lock_guard<std::mutex> g(m);
            q.push(i);
            cv.notify_one();
        }
        std::lock_guard<std::mutex> g(m);
        done = true;
        cv.notify_all();
    });
    long got = 0;
    for (;;) {
        std::unique_lock<std::mutex> l(m);
        cv.wait(l, [&] { return !q.empty() || done; });
        if (q.empty())
            break;
        got += q.front();
        q.pop();
    }
    prod.join();
    std::printf("condition_variable: %ld\n", got);

    std::shared_mutex sm;
    int value = 0;
    std::vector<std::thread> rw;
    std::atomic<int> reads{0};
    for (int i = 0; i < 4; i++)
        rw.emplace_back([&, i] {
            for (int k = 0; k < 100; k++) {
                if (k % 4 == i) {
                    std::unique_lock<std::shared_mutex> w(sm);
                    value++;
                } else {
                    std::shared_lock<std::shared_mutex> r(sm);
                    reads += value >= 0;
                }
            }
        });
    for (auto &t : rw)
        t.join();
    std::printf("shared_mutex: %d writes, %d reads\n", value, reads.load());

    std::promise<int> p;
    auto f = p.get_future();
    std::thread thrower([&p] {
        try {
            throw std::runtime_error("from another thread");
        } catch (...) {
            p.set_exception(std::current_exception());
        }
    });
    try {
        f.get();
    } catch (const std::exception &e) {
        std::printf("exception: %s\n", e.what());
    }
    thrower.join();
    auto wait = std::async(std::launch::async, [] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); return 3; });
    std::printf("wait_for a sleeping task: %s, then %d\n",
                wait.wait_for(std::chrono::milliseconds(0)) == std::future_status::timeout ? "not ready" : "ready",
                wait.get());
    return 0;
}
