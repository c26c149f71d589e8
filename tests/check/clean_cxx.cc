// clean_cxx.cc: new/delete, new[]/delete[], std::string, std::vector, std::map, unique_ptr and
// a thrown exception (its object is heap-allocated): everything released: no report
// expect: clean
#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

struct node {
    int value;
    node *next;
};

int main()
{
    long sum = 0;
    node *list = nullptr;
    for (int i = 0; i < 100; i++)
        list = new node{i, list};
    while (list) {
        node *n = list->next;
        sum += list->value;
        delete list;
        list = n;
    }
    for (int n = 1; n < 300; n += 7) {
        int *a = new int[n];
        for (int i = 0; i < n; i++)
            a[i] = i;
        sum += a[n - 1];
        delete[] a;
    }
    std::vector<std::string> words;
    for (int i = 0; i < 200; i++)
        words.push_back("word number " + std::to_string(i * 37 % 101) + std::string(i % 40, 'x'));
    std::map<std::string, int> counts;
    for (const auto &w : words)
        counts[w.substr(0, 14)]++;
    auto owner = std::make_unique<std::vector<int>>(1000, 3);
    sum += (*owner)[999];
    try {
        throw std::runtime_error(std::string(100, 'e'));
    } catch (const std::exception &e) {
        sum += std::string(e.what()).size();
    }
    std::printf("sum %ld, %zu words, %zu keys\n", sum, words.size(), counts.size());
    return 0;
}
